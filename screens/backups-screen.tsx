import { Box, Text, useStdout } from 'ink';
import { useEffect, useState } from 'react';
import type { LoadedConfig } from '../src/config/load.js';
import { errorMessage } from '../src/errors.js';
import { loadAllCatalogs, type CatalogView } from '../src/restore/resolve-set.js';
import type { CatalogEntry } from '../src/sets/catalog.js';
import { openTargets } from '../src/storage/open-targets.js';
import { formatBytes } from '../src/util/bytes.js';
import { formatDuration } from '../src/util/duration.js';
import { Confirm } from './components/confirm.js';
import { KeyHints } from './components/key-hints.js';
import { Menu } from './components/menu.js';
import { Command } from './keys.js';
import { useCommands } from './hooks/use-commands.js';
import type { TaskRun } from './hooks/use-task.js';
import { describeRestorePlan, restoreTask, verifyTask } from './tasks.js';
import { toneColor } from './theme.js';

type Mode = { kind: 'list' } | { kind: 'pick-source'; entry: CatalogEntry } | { kind: 'confirm-restore'; entry: CatalogEntry; source: string };

/**
 * Every set on every target, newest first. v verifies the highlighted set; r restores one of
 * its sources, after saying exactly what will happen (new database first, live one kept).
 */
export function BackupsScreen({ loaded, onBack, onTask }: { loaded: LoadedConfig; onBack: () => void; onTask: (title: string, run: TaskRun) => void }) {
  const [view, setView] = useState<CatalogView>();
  const [error, setError] = useState<string>();
  const [highlighted, setHighlighted] = useState<CatalogEntry>();
  const [mode, setMode] = useState<Mode>({ kind: 'list' });
  const { stdout } = useStdout();
  useEffect(() => {
    openTargets(loaded.config)
      .then((targets) => loadAllCatalogs(targets))
      .then(
        (result) => (setView(result), setHighlighted(result.entries[0])),
        (problem: unknown) => setError(errorMessage(problem)),
      );
  }, [loaded]);
  useCommands(
    {
      [Command.VERIFY]: () => highlighted && onTask(`Verify ${highlighted.id} on ${highlighted.target}`, verifyTask(loaded, highlighted)),
      [Command.RESTORE]: () => highlighted?.manifest && setMode({ kind: 'pick-source', entry: highlighted }),
      [Command.BACK]: onBack,
    },
    { isActive: mode.kind === 'list' },
  );
  useCommands({ [Command.BACK]: () => setMode({ kind: 'list' }) }, { isActive: mode.kind === 'pick-source' });

  const limit = Math.max(3, Math.min(12, (stdout.rows || 24) - 14));
  return (
    <Box flexDirection="column">
      <Text bold>Backups on every target</Text>
      {error ? <Text color={toneColor('bad')}>Could not list the sets: {error}</Text> : null}
      {!view && !error ? <Text dimColor>Listing sets…</Text> : null}
      {view?.unreachable.map((entry) => (
        <Text key={entry.target} color={toneColor('warn')} wrap="truncate-end">
          ! target {entry.target} unreachable: {entry.error}
        </Text>
      ))}
      {view && view.entries.length === 0 ? <Text color={toneColor('warn')}>No backup sets yet: run a backup from the home screen.</Text> : null}
      {view && view.entries.length > 0 ? (
        <Menu
          items={view.entries.map((entry) => ({ key: `${entry.target}/${entry.id}`, label: describeEntry(entry), value: entry }))}
          limit={limit}
          isFocused={mode.kind === 'list'}
          onHighlight={(item) => setHighlighted(item.value)}
          onSelect={(item) => item.value.manifest && setMode({ kind: 'pick-source', entry: item.value })}
        />
      ) : null}
      {highlighted && mode.kind === 'list' ? <SetDetails entry={highlighted} /> : null}
      {mode.kind === 'pick-source' ? (
        <Box flexDirection="column" borderStyle="round" paddingX={1}>
          <Text bold>Restore which source from {mode.entry.id}?</Text>
          <Menu
            items={mode.entry.manifest!.items.map((item) => ({ key: item.source, label: `${item.source} (${item.type}, ${formatBytes(item.plain.bytes)})`, value: item.source }))}
            onSelect={(item) => setMode({ kind: 'confirm-restore', entry: mode.entry, source: item.value })}
          />
          <KeyHints hints={[[Command.CONFIRM, 'choose'], [Command.BACK, 'back']]} />
        </Box>
      ) : null}
      {mode.kind === 'confirm-restore' ? (
        <Confirm
          question={`Restore ${mode.source} from ${mode.entry.id}?`}
          details={describeRestorePlan(loaded, mode.entry, mode.source)}
          onAnswer={(yes) => {
            setMode({ kind: 'list' });
            if (yes) onTask(`Restore ${mode.source} from ${mode.entry.id}`, restoreTask(loaded, mode.entry, mode.source));
          }}
        />
      ) : null}
      {mode.kind === 'list' ? (
        <KeyHints hints={[[Command.UP, 'move'], [Command.VERIFY, 'verify'], [Command.RESTORE, 'restore…'], [Command.BACK, 'back']]} />
      ) : null}
    </Box>
  );
}

function describeEntry(entry: CatalogEntry): string {
  const age = formatDuration(Date.now() - entry.time.getTime());
  const bytes = entry.manifest ? formatBytes(entry.manifest.items.reduce((sum, item) => sum + item.storedBytes, 0)) : '?';
  const status = entry.status === 'complete' ? '✓' : entry.status === 'partial' ? '! partial' : '✗ unreadable';
  return `${entry.id}  ${entry.target.padEnd(8)} ${status.padEnd(3)} ${bytes.padStart(10)}  ${age} ago`;
}

function SetDetails({ entry }: { entry: CatalogEntry }) {
  if (!entry.manifest) {
    return (
      <Text color={toneColor('bad')} wrap="truncate-end">
        ✗ {entry.problem}
      </Text>
    );
  }
  return (
    <Box flexDirection="column" borderStyle="single" paddingX={1}>
      {entry.manifest.items.slice(0, 5).map((item) => (
        <Text key={item.source} wrap="truncate-end">
          {item.source.padEnd(14)} {item.type.padEnd(8)} {formatBytes(item.storedBytes).padStart(10)} stored
          {item.tables ? `, ${item.tables.length} tables, ${item.tables.reduce((sum, table) => sum + table.rows, 0)} rows` : ''}
        </Text>
      ))}
      {entry.manifest.failures.map((failure) => (
        <Text key={failure.source} color={toneColor('warn')} wrap="truncate-end">
          ! {failure.source} missing from this set: {failure.error}
        </Text>
      ))}
    </Box>
  );
}
