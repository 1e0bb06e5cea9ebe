/**
 * Versioned Retell resources (agents, chat agents, Retell LLMs, conversation flows) as the
 * fake keeps them, after RetellAI/retell-typescript-sdk src/resources/agent.ts (create-agent-version
 * "Create a new draft agent version from a base version", publish-agent-version "Publish an
 * existing draft version in place", get-agent?version=, update-agent?version= "Default to latest
 * version") and llm.ts / conversation-flow.ts (retrieve and update by version). A published
 * version is immutable: an update aimed at it is refused; a change needs a new draft version.
 */
export type Row = Record<string, unknown>;

export class VersionedStore {
  readonly versions = new Map<string, Row[]>();

  constructor(readonly idKey: string) {}

  has(id: string): boolean {
    return this.versions.has(id);
  }

  /** One version (`version` a number, a numeric string, or undefined for the latest). */
  get(id: string, version?: unknown): Row | undefined {
    const list = this.versions.get(id);
    if (version === undefined || version === null || version === '') return list?.at(-1);
    return list?.find((row) => row.version === Number(version));
  }

  latestRows(): Row[] {
    return [...this.versions.values()].map((list) => list.at(-1)!);
  }

  create(id: string, body: Row): Row {
    const row: Row = { ...body, [this.idKey]: id, version: 0, is_published: false, last_modification_timestamp: Date.now() };
    this.versions.set(id, [row]);
    return row;
  }

  /** Changes a draft version; a published one answers with the refusal message instead. */
  update(id: string, version: unknown, body: Row): Row | string {
    const row = this.get(id, version);
    if (!row) return `${this.idKey} ${id} version ${String(version ?? 'latest')} not found`;
    if (row.is_published) {
      return `version ${String(row.version)} of ${id} is published and cannot be changed; create a draft with create-agent-version (base_version: ${String(row.version)}) and change that`;
    }
    Object.assign(row, body, { [this.idKey]: id, version: row.version, is_published: false, last_modification_timestamp: Date.now() });
    return row;
  }

  /** A new draft copied from `base`, numbered after the newest version. */
  branch(id: string, base: number, changes: Row = {}): Row | undefined {
    const list = this.versions.get(id);
    const from = list?.find((row) => row.version === base);
    if (!list || !from) return undefined;
    const row: Row = { ...structuredClone(from), ...changes, version: Number(list.at(-1)!.version) + 1, base_version: base, is_published: false, last_modification_timestamp: Date.now() };
    list.push(row);
    return row;
  }

  publish(id: string, version: number): Row | undefined {
    const row = this.get(id, version);
    if (row) row.is_published = true;
    return row;
  }

  clear(): void {
    this.versions.clear();
  }
}
