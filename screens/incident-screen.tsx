import { Box, Text, useStdout } from 'ink';
import { useCallback, useMemo, useState } from 'react';
import type { LoadedConfig } from '../src/config/load.js';
import { Confirm } from './components/confirm.js';
import { IncidentHeader } from './components/incident-header.js';
import { KeyHints, type Hint } from './components/key-hints.js';
import { OutputTail } from './components/output-tail.js';
import { ProgressBar } from './components/progress-bar.js';
import { StepDetail } from './components/step-detail.js';
import { StepList } from './components/step-list.js';
import { TextPrompt } from './components/text-prompt.js';
import { IncidentFinished } from './incident-finished.js';
import { buildRows, measureLive } from './incident-model.js';
import { Command } from './keys.js';
import { useClock } from './hooks/use-clock.js';
import { useCommands } from './hooks/use-commands.js';
import { useIncident, type IncidentStart } from './hooks/use-incident.js';
import { useInterrupt } from './hooks/use-interrupt.js';
import { useOnShutdown } from './hooks/use-shutdown.js';
import { toneColor } from './theme.js';

export type { IncidentStart } from './hooks/use-incident.js';

type Overlay = 'none' | 'skip' | 'note' | 'stop' | 'leave' | 'leave-running';

const RUNNER_HINTS: Hint[] = [
  [Command.CONFIRM, 'run/confirm'],
  [Command.TICK, 'tick'],
  [Command.SKIP, 'skip'],
  [Command.RETRY, 'retry'],
  [Command.NOTE, 'note'],
  [Command.BACK, 'back'],
  [Command.UP, 'move'],
];

/**
 * The runner: one incident, step by step. Every key is one runner call and is written to the
 * journal before anything proceeds; the frame stays shorter than the terminal (step list and
 * output tail are windows) so Ink never redraws the whole screen.
 */
export function IncidentScreen({ loaded, start, onLeave }: { loaded: LoadedConfig; start: IncidentStart; onLeave: () => void }) {
  const { view, controls } = useIncident(loaded, start);
  const { incident, playbook } = view;
  const [moved, setMoved] = useState<{ follow: string; cursor: number }>();
  const [overlay, setOverlay] = useState<Overlay>('none');
  const open = incident?.status === 'open';
  const running = view.running !== undefined;
  const now = useClock(Boolean(open));
  const { stdout } = useStdout();
  const height = stdout.rows || 24;

  const checklists = useMemo(() => Object.fromEntries((playbook?.steps ?? []).map((step) => [step.index, step.checklist.map((item) => item.text)])), [playbook]);
  const rows = useMemo(() => (incident ? buildRows(incident, checklists) : []), [incident, checklists]);

  // The cursor follows the incident (the first open confirmation, else the next step) until
  // the person moves it; derived during render, so a key pressed right after a step finishes
  // acts on the row the screen shows.
  const nextStep = incident?.nextStep;
  const firstOpenItem = rows.findIndex((row) => row.kind === 'item' && !row.ticked);
  const follow = `${nextStep}:${firstOpenItem}`;
  const followed = firstOpenItem >= 0 ? firstOpenItem : Math.max(0, rows.findIndex((row) => row.kind === 'step' && row.step === nextStep));
  const cursor = moved?.follow === follow ? moved.cursor : followed;
  const moveCursor = (delta: number) => setMoved({ follow, cursor: Math.max(0, Math.min(rows.length - 1, cursor + delta)) });

  useOnShutdown(useCallback(async (reason: string) => controls.stop(`drc received ${reason} (session closed or stopped)`), [controls.stop]));
  useInterrupt(() => setOverlay(running ? 'stop' : open ? 'leave' : 'none'), Boolean(incident) && overlay === 'none');

  const row = rows[cursor];
  const selectedStep = row ? incident?.steps[row.step] : undefined;
  const leave = () => (running ? setOverlay('leave-running') : open ? setOverlay('leave') : onLeave());
  const confirmRow = () => {
    if (!row || !selectedStep) return;
    if (row.kind === 'item') return row.ticked ? undefined : controls.tick(row.step, row.item);
    if (selectedStep.status === 'waiting') {
      const item = rows.find((entry) => entry.kind === 'item' && entry.step === row.step && !entry.ticked);
      return item?.kind === 'item' ? controls.tick(item.step, item.item) : controls.acknowledge(row.step);
    }
    if (selectedStep.status !== 'running') controls.run(row.step);
  };
  const tickRow = () => {
    if (!row) return;
    const item = row.kind === 'item' ? row : rows.find((entry) => entry.kind === 'item' && entry.step === row.step && !entry.ticked);
    if (item?.kind === 'item' && !item.ticked) controls.tick(item.step, item.item);
  };
  useCommands(
    {
      [Command.UP]: () => moveCursor(-1),
      [Command.DOWN]: () => moveCursor(1),
      [Command.CONFIRM]: confirmRow,
      [Command.TICK]: tickRow,
      [Command.SKIP]: () => selectedStep && setOverlay('skip'),
      [Command.RETRY]: () => (selectedStep?.status === 'failed' || selectedStep?.status === 'interrupted') && controls.run(selectedStep.index),
      [Command.NOTE]: () => setOverlay('note'),
      [Command.BACK]: leave,
    },
    { isActive: overlay === 'none' && open === true },
  );
  useCommands({ [Command.BACK]: onLeave, [Command.CONFIRM]: onLeave }, { isActive: !incident && view.fatal });

  if (!incident) {
    return (
      <Box flexDirection="column">
        <Text color={toneColor(view.fatal ? 'bad' : 'muted')}>{view.problem ?? 'Opening the incident…'}</Text>
        {view.fatal ? <KeyHints hints={[[Command.BACK, 'back']]} /> : null}
      </Box>
    );
  }
  if (!open) return <IncidentFinished incident={incident} dir={view.dir} onNote={controls.note} onDone={onLeave} />;

  const measured = measureLive(incident, now);
  const outputOf = (index: number) => (view.output[index]?.length ? view.output[index]! : (incident.steps[index]?.tail?.split('\n') ?? []));
  // The running step's output; else the highlighted step's; else the latest step that printed
  // something, so what a command said stays in view after it finished.
  const latestWithOutput = incident.steps.findLast((step) => outputOf(step.index).length > 0)?.index;
  const shownStep = view.running ?? (selectedStep && outputOf(selectedStep.index).length ? selectedStep.index : (latestWithOutput ?? selectedStep?.index ?? 0));
  const tail = outputOf(shownStep);
  const progress = view.running !== undefined ? view.progress[view.running] : undefined;
  // Budget: header 2, detail box ≤ 6, progress 1, tail box 3 + lines, hints 1, one spare row.
  const available = Math.max(6, height - 14 - (progress ? 1 : 0));
  const listHeight = Math.min(rows.length, Math.max(3, Math.ceil(available * 0.55)));
  const tailHeight = Math.max(2, available - listHeight - 1);
  const detailStep = selectedStep ?? incident.steps[shownStep]!;

  return (
    <Box flexDirection="column">
      <IncidentHeader incident={incident} measured={measured} />
      <StepList incident={incident} rows={rows} cursor={cursor} height={listHeight} now={now} />
      <StepDetail step={detailStep} definition={playbook?.steps[detailStep.index]} textLines={height >= 30 ? 2 : 1} />
      {progress ? <ProgressBar progress={progress} /> : null}
      <OutputTail lines={tail} height={tailHeight} outputFile={incident.steps[shownStep]?.outputFile} />
      {view.problem ? (
        <Text color={toneColor('bad')} wrap="truncate-end">
          ✗ {view.problem}
        </Text>
      ) : null}
      {renderOverlay()}
    </Box>
  );

  function renderOverlay() {
    switch (overlay) {
      case 'none':
        return <KeyHints hints={running ? [[Command.INTERRUPT, 'stop the step…'], [Command.NOTE, 'note'], [Command.BACK, 'back…']] : RUNNER_HINTS} />;
      case 'skip':
        return (
          <TextPrompt
            label={`Skip step ${selectedStep!.index + 1} "${selectedStep!.title}": why? (goes into the post-mortem)`}
            required
            onCancel={() => setOverlay('none')}
            onSubmit={(reason) => {
              setOverlay('none');
              controls.skip(selectedStep!.index, reason);
            }}
          />
        );
      case 'note':
        return (
          <TextPrompt
            label='Note for the journal ("impact: …", "root cause: …", "lost at: 2026-11-22T01:40Z" go to their section)'
            required
            onCancel={() => setOverlay('none')}
            onSubmit={(text) => {
              setOverlay('none');
              controls.note(text);
            }}
          />
        );
      case 'stop':
        return (
          <Confirm
            question={`Stop step ${(view.running ?? 0) + 1} now?`}
            details={['Its command gets SIGTERM (then SIGKILL); the journal records it as interrupted.', 'Enter runs it again afterwards.']}
            onAnswer={(yes) => {
              setOverlay('none');
              if (yes) void controls.stop('stopped by the operator (Ctrl+C)');
            }}
          />
        );
      case 'leave':
        return (
          <Confirm
            question="Leave this incident? It stays open."
            details={[`Resume it from the home screen, or with: drc resume ${incident!.id}`]}
            onAnswer={(yes) => (yes ? onLeave() : setOverlay('none'))}
          />
        );
      case 'leave-running':
        return (
          <Confirm
            question={`Step ${(view.running ?? 0) + 1} is running. Stop it and leave?`}
            details={['The step is recorded as interrupted; the incident stays open.', `Resume it from the home screen, or with: drc resume ${incident!.id}`]}
            onAnswer={(yes) => {
              if (!yes) return setOverlay('none');
              void controls.stop('stopped by the operator (left the incident)').then(onLeave);
            }}
          />
        );
    }
  }
}
