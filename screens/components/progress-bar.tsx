import { Text } from 'ink';
import { formatBytes } from '../../src/util/bytes.js';
import { formatDuration } from '../../src/util/duration.js';
import { toneColor } from '../theme.js';

export interface Progress {
  task: string;
  bytes: number;
  totalBytes?: number | undefined;
  elapsedMs: number;
}

/**
 * "[██████░░░░] 62%  310.0 MiB of 500.0 MiB  41.3 MiB/s  ETA 4.6s". A dump's size is not
 * known in advance: then the bar is left out and bytes and rate still show it is alive.
 */
export function ProgressBar({ progress, width = 24 }: { progress: Progress; width?: number }) {
  const { bytes, totalBytes, elapsedMs } = progress;
  const rate = elapsedMs > 0 ? (bytes / elapsedMs) * 1000 : 0;
  const parts: string[] = [];
  let bar = '';
  if (totalBytes) {
    const fraction = Math.min(1, bytes / totalBytes);
    const filled = Math.round(fraction * width);
    bar = `[${'█'.repeat(filled)}${'░'.repeat(width - filled)}] ${Math.round(fraction * 100)}%`;
    parts.push(`${formatBytes(bytes)} of ${formatBytes(totalBytes)}`);
  } else {
    parts.push(formatBytes(bytes));
  }
  parts.push(`${formatBytes(rate)}/s`);
  if (totalBytes && rate > 0 && bytes < totalBytes) parts.push(`ETA ${formatDuration(((totalBytes - bytes) / rate) * 1000)}`);
  else parts.push(formatDuration(elapsedMs));
  return (
    <Text wrap="truncate-end">
      {progress.task}: <Text color={toneColor('active')}>{bar}</Text>
      {bar ? '  ' : ''}
      {parts.join('  ')}
    </Text>
  );
}
