import { Box, Text, useStdout } from 'ink';
import { useEffect, useState } from 'react';
import type { LoadedConfig } from '../src/config/load.js';
import { errorMessage } from '../src/errors.js';
import { openTargets } from '../src/storage/open-targets.js';
import { formatBytes } from '../src/util/bytes.js';
import { formatDuration } from '../src/util/duration.js';
import { listBackups, type BackupListing } from '../src/verify/list-backups.js';
import { loadSetTrust } from '../src/sets/sealed-manifest.js';
import { KeyHints } from './components/key-hints.js';
import { Menu } from './components/menu.js';
import { Command } from './keys.js';
import { useCommands } from './hooks/use-commands.js';
import type { TaskRun } from './hooks/use-task.js';
import { restoreTask, verifyTask } from './tasks.js';
import { toneColor } from './theme.js';

type Listing = Awaited<ReturnType<typeof listBackups>>;

/**
 * Every set on every target, newest first, with the targets holding it and its last
 * verification. v verifies the highlighted set; r restores one of its sources (the restore
 * states its plan and asks before anything is loaded).
 */
export function BackupsScreen({ loaded, onBack, onTask }: { loaded: LoadedConfig; onBack: () => void; onTask: (title: string, run: TaskRun) => void }) {
  const [listing, setListing] = useState<Listing>();
  const [error, setError] = useState<string>();
  const [highlighted, setHighlighted] = useState<BackupListing>();
  const [picking, setPicking] = useState<BackupListing>();
  const { stdout } = useStdout();
  useEffect(() => {
    openTargets(loaded.config)
      .then(async (targets) => listBackups(targets, await loadSetTrust(loaded.config, loaded.stateDir)))
      .then(
        (result) => (setListing(result), setHighlighted(result.sets[0])),
        (problem: unknown) => setError(errorMessage(problem)),
      );
  }, [loaded]);
  const restorable = (set: BackupListing | undefined) => set && set.status !== 'unreadable' && set.items.length > 0;
  useCommands(
    {
      [Command.VERIFY]: () => highlighted && onTask(`Verify ${highlighted.id}`, verifyTask(loaded, highlighted.id)),
      [Command.RESTORE]: () => restorable(highlighted) && setPicking(highlighted),
      [Command.BACK]: onBack,
    },
    { isActive: !picking },
  );
  useCommands({ [Command.BACK]: () => setPicking(undefined) }, { isActive: Boolean(picking) });

  const limit = Math.max(3, Math.min(12, (stdout.rows || 24) - 14));
  return (
    <Box flexDirection="column">
      <Text bold>Backups on every target</Text>
      {error ? <Text color={toneColor('bad')}>Could not list the sets: {error}</Text> : null}
      {!listing && !error ? <Text dimColor>Listing sets…</Text> : null}
      {listing?.unreachable.map((entry) => (
        <Text key={entry.target} color={toneColor('warn')} wrap="truncate-end">
          ! target {entry.target} unreachable: {entry.error}
        </Text>
      ))}
      {listing && listing.sets.length === 0 ? <Text color={toneColor('warn')}>No backup sets yet: run a backup from the home screen.</Text> : null}
      {listing && listing.sets.length > 0 ? (
        <Menu
          items={listing.sets.map((set) => ({ key: set.id, label: describeSet(set), value: set }))}
          limit={limit}
          isFocused={!picking}
          onHighlight={(item) => setHighlighted(item.value)}
          onSelect={(item) => restorable(item.value) && setPicking(item.value)}
        />
      ) : null}
      {picking ? (
        <Box flexDirection="column" borderStyle="round" paddingX={1}>
          <Text bold>Restore which source from {picking.id}?</Text>
          <Menu
            items={picking.items.map((item) => ({ key: item.source, label: `${item.source} (${item.type}, ${formatBytes(item.plainBytes)})`, value: item.source }))}
            onSelect={(item) => {
              setPicking(undefined);
              onTask(`Restore ${item.value} from ${picking.id}`, restoreTask(loaded, picking.id, item.value));
            }}
          />
          <KeyHints hints={[[Command.CONFIRM, 'choose (the plan is shown before anything runs)'], [Command.BACK, 'back']]} />
        </Box>
      ) : (
        <>
          {highlighted ? <SetDetails set={highlighted} /> : null}
          <KeyHints hints={[[Command.UP, 'move'], [Command.VERIFY, 'verify'], [Command.RESTORE, 'restore…'], [Command.BACK, 'back']]} />
        </>
      )}
    </Box>
  );
}

function describeSet(set: BackupListing): string {
  const age = formatDuration(Date.now() - Date.parse(set.time));
  const status = set.status === 'complete' ? '✓' : set.status === 'partial' ? '! partial' : '✗ unreadable';
  const verified = set.lastVerify ? (set.lastVerify.ok ? ' verified' : ' VERIFY FAILED') : '';
  return `${set.id}  ${status} ${formatBytes(set.storedBytes).padStart(10)}  ${age} ago  on ${set.targets.join(', ') || '—'}${verified}`;
}

function SetDetails({ set }: { set: BackupListing }) {
  return (
    <Box flexDirection="column" borderStyle="single" paddingX={1}>
      {set.items.slice(0, 5).map((item) => (
        <Text key={item.source} wrap="truncate-end">
          {item.source.padEnd(14)} {item.type.padEnd(8)} {formatBytes(item.storedBytes).padStart(10)} stored, {formatBytes(item.plainBytes)} plain
        </Text>
      ))}
      {set.lastVerify ? (
        <Text color={toneColor(set.lastVerify.ok ? 'ok' : 'bad')} wrap="truncate-end">
          {set.lastVerify.ok ? '✓' : '✗'} {set.lastVerify.deep ? 'deep ' : ''}verification {set.lastVerify.at} on {set.lastVerify.target}
          {set.lastVerify.problems.length ? `: ${set.lastVerify.problems[0]}` : ''}
        </Text>
      ) : (
        <Text dimColor>never verified: press v</Text>
      )}
      {set.problems.slice(0, 2).map((problem, index) => (
        <Text key={index} color={toneColor('warn')} wrap="truncate-end">
          ! {problem}
        </Text>
      ))}
    </Box>
  );
}
