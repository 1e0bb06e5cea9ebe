import { Box, Text } from 'ink';
import type { StepState } from '../../src/incidents/reducer.js';
import type { Step } from '../../src/playbooks/types.js';
import { toneColor } from '../theme.js';

/** What the highlighted step says and what it will run: the shell command, or the drc action. */
export function describeRun(step: Step | undefined): string | undefined {
  const run = step?.run;
  if (!run) return step?.checklist.length ? `manual: ${step.checklist.length} confirmation(s)` : undefined;
  if (run.kind === 'shell') return `$ ${run.script.split('\n').filter((line) => line.trim()).join(' ; ')}`;
  const { action, ...rest } = run.action as unknown as Record<string, unknown>;
  const params = Object.entries(rest)
    .filter(([, value]) => value !== undefined && value !== false)
    .map(([key, value]) => `${key}: ${Array.isArray(value) ? value.join(',') : String(value)}`);
  return `drc ${String(action)}${params.length ? ` · ${params.join(' · ')}` : ''}`;
}

export function StepDetail({ step, definition, textLines }: { step: StepState; definition: Step | undefined; textLines: number }) {
  const text = (definition?.text ?? '').split('\n').filter((line) => line.trim()).slice(0, textLines);
  const command = describeRun(definition);
  return (
    <Box flexDirection="column" borderStyle="round" borderColor={toneColor(step.status === 'failed' ? 'bad' : 'active')} paddingX={1}>
      <Text bold wrap="truncate-end">
        Step {step.index + 1}: {step.title}
        {step.attempts > 1 ? ` (attempt ${step.attempts})` : ''}
      </Text>
      {text.map((line, index) => (
        <Text key={index} wrap="truncate-end">
          {line}
        </Text>
      ))}
      {command ? (
        <Text color={toneColor('accent')} wrap="truncate-end">
          {command}
        </Text>
      ) : null}
      {step.status === 'failed' && step.error ? (
        <Text color={toneColor('bad')} wrap="truncate-end">
          ✗ {step.error}
          {step.hint ? ` → ${step.hint}` : ''}
        </Text>
      ) : null}
      {step.status === 'skipped' && step.skipReason ? <Text wrap="truncate-end">↷ skipped: {step.skipReason}</Text> : null}
      {step.status === 'interrupted' ? (
        <Text color={toneColor('warn')} wrap="truncate-end">
          ■ {step.interruptions.at(-1)} (Enter runs it again)
        </Text>
      ) : null}
    </Box>
  );
}
