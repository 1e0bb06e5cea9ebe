import { Box, Text } from 'ink';
import { useState } from 'react';
import type { Playbook } from '../src/playbooks/types.js';
import { KeyHints } from './components/key-hints.js';
import { Menu } from './components/menu.js';
import { Command } from './keys.js';
import { useCommands } from './hooks/use-commands.js';
import { toneColor, type Tone } from './theme.js';

/** A playbook as the picker lists it: parsed, or the reason it cannot be used. */
export interface PlaybookChoice {
  id: string;
  file: string;
  origin: 'bundled' | 'config';
  playbook: Playbook | undefined;
  problem: string | undefined;
}

const severityTones: Record<string, Tone> = { critical: 'bad', high: 'warn', medium: 'active', low: 'muted', drill: 'muted' };

/**
 * Which playbook fits what is happening: the list on top, the highlighted one's severity,
 * objectives and first lines below, so the choice is made on what the playbook says.
 */
export function PlaybookPicker({ choices, onPick, onBack }: { choices: PlaybookChoice[]; onPick: (choice: PlaybookChoice) => void; onBack: () => void }) {
  const [highlighted, setHighlighted] = useState(choices[0]?.id);
  useCommands({ [Command.BACK]: onBack });
  const current = choices.find((choice) => choice.id === highlighted);
  const items = choices.map((choice) => ({
    key: choice.id,
    label: `${choice.playbook?.title ?? choice.id}${choice.problem ? '  (cannot be used: see below)' : ''}`,
    value: choice,
  }));
  return (
    <Box flexDirection="column">
      <Text bold>Start an incident: which playbook fits?</Text>
      {choices.length === 0 ? <Text color={toneColor('warn')}>No playbooks found: add a folder to "playbooks" in the config.</Text> : null}
      <Menu
        items={items}
        limit={8}
        onHighlight={(item) => setHighlighted(item.value.id)}
        onSelect={(item) => {
          if (!item.value.problem) onPick(item.value);
        }}
      />
      {current ? <PlaybookDetails choice={current} /> : null}
      <KeyHints hints={[[Command.UP, 'move'], [Command.CONFIRM, 'start this incident'], [Command.BACK, 'back']]} />
    </Box>
  );
}

function PlaybookDetails({ choice }: { choice: PlaybookChoice }) {
  const { playbook } = choice;
  if (!playbook) {
    return (
      <Box flexDirection="column" borderStyle="single" paddingX={1}>
        <Text color={toneColor('bad')} wrap="truncate-end">
          ✗ {choice.file}
        </Text>
        {(choice.problem ?? '').split('\n').slice(0, 4).map((line, index) => (
          <Text key={index} wrap="truncate-end">
            {line}
          </Text>
        ))}
      </Box>
    );
  }
  const objectives = [playbook.objectives.rto ? `RTO ${playbook.objectives.rto}` : undefined, playbook.objectives.rpo ? `RPO ${playbook.objectives.rpo}` : undefined]
    .filter(Boolean)
    .join(' · ');
  // Markdown emphasis reads as noise in a terminal: show the words.
  const intro = playbook.intro.replace(/\*\*|__|`/g, '').split('\n').filter((line) => line.trim()).slice(0, 3);
  return (
    <Box flexDirection="column" borderStyle="single" paddingX={1}>
      <Text wrap="truncate-end">
        <Text bold>{playbook.title}</Text> · severity <Text color={toneColor(severityTones[playbook.severity])}>{playbook.severity}</Text>
        {objectives ? ` · ${objectives}` : ''} · {playbook.steps.length} steps · {choice.origin}
      </Text>
      {intro.map((line, index) => (
        <Text key={index} wrap="truncate-end">
          {line}
        </Text>
      ))}
    </Box>
  );
}
