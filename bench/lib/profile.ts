import { readFile } from 'node:fs/promises';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
}
interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

/** The `count` functions with the most self time in a V8 .cpuprofile, as "1.23 s  name (file:line)". */
export async function topFunctions(file: string, count = 5): Promise<string[]> {
  const profile = JSON.parse(await readFile(file, 'utf8')) as CpuProfile;
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const selfMicros = new Map<string, number>();
  profile.samples.forEach((id, index) => {
    const frame = byId.get(id)!.callFrame;
    const where = frame.url ? ` (${frame.url.replace(/^.*\/(node_modules|dist)\//, '$1/')}:${frame.lineNumber + 1})` : '';
    const key = `${frame.functionName || '(anonymous)'}${where}`;
    selfMicros.set(key, (selfMicros.get(key) ?? 0) + (profile.timeDeltas[index] ?? 0));
  });
  return [...selfMicros.entries()]
    .sort((a, b) => b[1] - a[1])
    .slice(0, count)
    .map(([name, micros]) => `${(micros / 1e6).toFixed(2)} s  ${name}`);
}
