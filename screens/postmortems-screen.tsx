import { Box, Text } from 'ink';
import { useMemo, useState } from 'react';
import type { LoadedConfig } from '../src/config/load.js';
import { errorMessage } from '../src/errors.js';
import { listIncidents } from '../src/incidents/incident-store.js';
import { KeyHints } from './components/key-hints.js';
import { Menu } from './components/menu.js';
import { writePostmortemFile } from './incident-finished.js';
import { Command } from './keys.js';
import { useCommands } from './hooks/use-commands.js';
import { toneColor } from './theme.js';

/** Past incidents; Enter (re)writes one's postmortem.md from its journal and says where. */
export function PostmortemsScreen({ loaded, onBack }: { loaded: LoadedConfig; onBack: () => void }) {
  const incidents = useMemo(() => listIncidents(loaded.stateDir), [loaded]);
  const [message, setMessage] = useState<{ tone: 'ok' | 'bad'; text: string }>();
  useCommands({ [Command.BACK]: onBack });
  return (
    <Box flexDirection="column">
      <Text bold>Post-mortems</Text>
      {incidents.length === 0 ? <Text dimColor>No incidents yet in {loaded.stateDir}.</Text> : null}
      <Menu
        limit={10}
        items={incidents.map((incident) => ({
          key: incident.id,
          label: `${incident.id}  ${incident.state ? `${incident.state.status.padEnd(8)} ${incident.state.start.playbook.title}` : `damaged: ${incident.problem}`}`,
          value: incident,
        }))}
        onSelect={(item) => {
          writePostmortemFile(item.value.dir).then(
            (file) => setMessage({ tone: 'ok', text: `✓ written: ${file}` }),
            (error: unknown) => setMessage({ tone: 'bad', text: `✗ ${errorMessage(error)}` }),
          );
        }}
      />
      {message ? (
        <Text color={toneColor(message.tone)} wrap="truncate-middle">
          {message.text}
        </Text>
      ) : null}
      <KeyHints hints={[[Command.CONFIRM, 'write postmortem.md'], [Command.BACK, 'back']]} />
    </Box>
  );
}
