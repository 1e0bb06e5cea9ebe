import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { Box, Text } from 'ink';
import { useState } from 'react';
import { errorMessage } from '../src/errors.js';
import type { NoteKind } from '../src/incidents/journal-schema.js';
import { readJournal } from '../src/incidents/journal.js';
import { measureIncident } from '../src/incidents/measures.js';
import { renderPostmortem } from '../src/incidents/postmortem.js';
import type { IncidentState } from '../src/incidents/reducer.js';
import { formatDuration } from '../src/util/duration.js';
import { KeyHints } from './components/key-hints.js';
import { TextPrompt } from './components/text-prompt.js';
import { stepDurationMs, stepMarks } from './incident-model.js';
import { Command } from './keys.js';
import { useCommands } from './hooks/use-commands.js';
import { toneColor } from './theme.js';

/** The post-mortem questions, each answer journaled as a note of the section it belongs to. */
export const POSTMORTEM_QUESTIONS: Array<{ question: string; kind: NoteKind }> = [
  { question: 'What happened? (two or three sentences)', kind: 'note' },
  { question: 'When and how was it detected?', kind: 'detection' },
  { question: 'What data was lost, and who was affected?', kind: 'impact' },
  { question: 'What should be improved so it does not happen again?', kind: 'action-item' },
];

/** Writes postmortem.md next to the journal, from the journal alone (answers included). */
export async function writePostmortemFile(dir: string): Promise<string> {
  const events = readJournal(dir);
  const file = path.join(dir, 'postmortem.md');
  await writeFile(file, renderPostmortem(events), { mode: 0o600 });
  return file;
}

/**
 * The incident is over: achieved RTO and RPO against the objectives, what each step took,
 * then the post-mortem questions; Esc on a question leaves its section for later.
 */
export function IncidentFinished({
  incident,
  dir,
  onNote,
  onDone,
}: {
  incident: IncidentState;
  dir: string | undefined;
  onNote: (text: string, kind: NoteKind) => void;
  onDone: () => void;
}) {
  const [question, setQuestion] = useState(0);
  const [written, setWritten] = useState<{ file?: string; error?: string }>();
  const measures = measureIncident(incident);
  const asking = question < POSTMORTEM_QUESTIONS.length;
  useCommands({ [Command.CONFIRM]: onDone, [Command.BACK]: onDone }, { isActive: !asking && written !== undefined });

  const answer = (text: string | undefined) => {
    const current = POSTMORTEM_QUESTIONS[question]!;
    if (text) onNote(text, current.kind);
    const next = question + 1;
    setQuestion(next);
    if (next === POSTMORTEM_QUESTIONS.length && dir) {
      writePostmortemFile(dir).then(
        (file) => setWritten({ file }),
        (error: unknown) => setWritten({ error: errorMessage(error) }),
      );
    }
  };
  const objective = (label: string, achieved: number | undefined, target: number | undefined, met: boolean | undefined) => (
    <Text wrap="truncate-end">
      {label} achieved{' '}
      <Text bold color={toneColor(met === false ? 'bad' : met ? 'ok' : undefined)}>
        {achieved === undefined ? 'not measured' : formatDuration(achieved)}
      </Text>
      {target === undefined ? ' (no objective)' : ` against ${formatDuration(target)}: ${met === undefined ? '—' : met ? '✓ met' : '✗ MISSED'}`}
    </Text>
  );
  return (
    <Box flexDirection="column">
      <Text bold>
        Incident {incident.id} {incident.status === 'resolved' ? <Text color={toneColor('ok')}>✓ RESOLVED</Text> : <Text color={toneColor('warn')}>■ ABORTED</Text>}
        {incident.finishReason ? ` (${incident.finishReason})` : ''}
      </Text>
      {objective('RTO', measures.rto.achievedMs, measures.rto.objectiveMs, measures.rto.met)}
      {objective('RPO', measures.rpo.achievedMs, measures.rpo.objectiveMs, measures.rpo.met)}
      {measures.rpo.set ? <Text dimColor wrap="truncate-end">restored set {measures.rpo.set.id} of {measures.rpo.set.source}</Text> : null}
      <Box flexDirection="column" marginTop={1}>
        {incident.steps.slice(0, 10).map((step) => {
          const mark = stepMarks[step.status];
          const duration = stepDurationMs(step, Date.now());
          return (
            <Text key={step.index} wrap="truncate-end">
              <Text color={toneColor(mark.tone)}>{mark.mark}</Text> {String(step.index + 1).padStart(2)}. {step.title.padEnd(36).slice(0, 36)}{' '}
              {duration === undefined ? '' : formatDuration(duration).padStart(8)}
              {step.machineMs || step.waitingMs ? `  run ${formatDuration(step.machineMs)} · people ${formatDuration(step.waitingMs)}` : ''}
            </Text>
          );
        })}
        {incident.steps.length > 10 ? <Text dimColor>… {incident.steps.length - 10} more steps in the post-mortem</Text> : null}
      </Box>
      {asking ? (
        <Box flexDirection="column" marginTop={1}>
          <Text dimColor>
            Post-mortem, question {question + 1} of {POSTMORTEM_QUESTIONS.length} (Esc leaves it for later)
          </Text>
          <TextPrompt key={question} label={POSTMORTEM_QUESTIONS[question]!.question} onSubmit={(text) => answer(text)} onCancel={() => answer(undefined)} />
        </Box>
      ) : (
        <Box flexDirection="column" marginTop={1}>
          {!written ? <Text dimColor>Writing the post-mortem…</Text> : null}
          {written?.file ? <Text color={toneColor('ok')}>✓ Post-mortem written: {written.file}</Text> : null}
          {written?.error ? <Text color={toneColor('bad')}>✗ Could not write the post-mortem: {written.error}</Text> : null}
          <KeyHints hints={[[Command.CONFIRM, 'home'], [Command.BACK, 'home']]} />
        </Box>
      )}
    </Box>
  );
}
