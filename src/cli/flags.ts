/** Commander's argParser for repeatable options: `--var a=1 --var b=2` gives both. */
export function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}
