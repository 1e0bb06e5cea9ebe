import { Box, useApp } from 'ink';
import { useCallback, useState } from 'react';
import type { LoadedConfig } from '../src/config/load.js';
import { runBackup } from '../src/backup/run-backup.js';
import { Confirm } from './components/confirm.js';
import { BackupsScreen } from './backups-screen.js';
import { Home, type HomeChoice } from './home.js';
import { PlaybookPicker, type PlaybookChoice } from './playbook-picker.js';
import { PostmortemsScreen } from './postmortems-screen.js';
import { IncidentScreen, type IncidentStart } from './incident-screen.js';
import { TaskScreen } from './task-screen.js';
import { useHomeData } from './hooks/use-home-data.js';
import { InterruptProvider } from './hooks/use-interrupt.js';
import { KeyboardProvider } from './hooks/use-keyboard.js';
import { loadPlaybookChoices } from './hooks/playbook-choices.js';
import type { TaskRun } from './hooks/use-task.js';
import { drillTask } from './tasks.js';

type Route =
  | { name: 'home' }
  | { name: 'picker'; choices: PlaybookChoice[] }
  | { name: 'incident'; start: IncidentStart }
  | { name: 'backups' }
  | { name: 'postmortems' }
  | { name: 'task'; title: string; run: TaskRun };

/**
 * The console's one root: it owns the route, Ctrl+C and exit(). Screens only call back
 * ("done", "open this"), so there is exactly one way the program ends.
 */
export function Root({ loaded, offerResume = true, playbookVars }: { loaded: LoadedConfig; offerResume?: boolean; playbookVars?: Record<string, string> }) {
  const { exit } = useApp();
  const [route, setRoute] = useState<Route>({ name: 'home' });
  const [refreshKey, setRefreshKey] = useState(0);
  const [resumeAsked, setResumeAsked] = useState(!offerResume);
  const home = useHomeData(loaded, refreshKey);

  const goHome = useCallback(() => {
    setRefreshKey((key) => key + 1);
    setRoute({ name: 'home' });
  }, []);

  const choose = (choice: HomeChoice) => {
    switch (choice.kind) {
      case 'quit':
        return exit();
      case 'start-incident':
        return setRoute({ name: 'picker', choices: loadPlaybookChoices(loaded, playbookVars) });
      case 'resume-incident':
        return setRoute({ name: 'incident', start: { kind: 'resume', id: choice.id } });
      case 'backups':
        return setRoute({ name: 'backups' });
      case 'postmortems':
        return setRoute({ name: 'postmortems' });
      case 'backup-now':
        return setRoute({
          name: 'task',
          title: 'Backup now',
          run: async (emit, signal) => runBackup({ config: loaded.config, stateDir: loaded.stateDir, emit, signal }),
        });
      case 'drill':
        return setRoute({ name: 'task', title: 'Restore drill', run: drillTask(loaded) });
    }
  };

  const openIncident = home.data?.incidents[0];
  let screen: React.ReactNode;
  if (route.name === 'home' && !resumeAsked && openIncident) {
    screen = (
      <Confirm
        question={`Incident ${openIncident.id} is still open. Resume it now?`}
        details={[
          `${openIncident.title}: ${openIncident.done} of ${openIncident.total} steps done${openIncident.nextStep ? `, next: ${openIncident.nextStep}` : ''}`,
          `started ${openIncident.startedAt}`,
        ]}
        onAnswer={(yes) => {
          setResumeAsked(true);
          if (yes) setRoute({ name: 'incident', start: { kind: 'resume', id: openIncident.id } });
        }}
      />
    );
  } else {
    switch (route.name) {
      case 'home':
        screen = <Home data={home.data} error={home.error} origin={loaded.origin} onChoose={choose} />;
        break;
      case 'picker':
        screen = (
          <PlaybookPicker
            choices={route.choices}
            onBack={goHome}
            onPick={(choice) => setRoute({ name: 'incident', start: { kind: 'new', playbook: choice.playbook! } })}
          />
        );
        break;
      case 'incident':
        screen = <IncidentScreen loaded={loaded} start={route.start} onLeave={goHome} />;
        break;
      case 'backups':
        screen = <BackupsScreen loaded={loaded} onBack={goHome} onTask={(title, run) => setRoute({ name: 'task', title, run })} />;
        break;
      case 'postmortems':
        screen = <PostmortemsScreen loaded={loaded} onBack={goHome} />;
        break;
      case 'task':
        screen = <TaskScreen title={route.title} run={route.run} onDone={goHome} />;
        break;
    }
  }
  return (
    <KeyboardProvider>
      <InterruptProvider onUnclaimed={exit}>
        <Box flexDirection="column">{screen}</Box>
      </InterruptProvider>
    </KeyboardProvider>
  );
}
