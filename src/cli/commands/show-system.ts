import type { Command } from 'commander';
import { DrcError, EXIT } from '../../errors.js';
import { commandAction } from '../context.js';

interface ShowSystemFlags {
  target?: string;
  key?: string;
  full?: boolean;
}

export function registerShowSystem(program: Command): void {
  program
    .command('show-system')
    .description("the lost machine's inventory from a set, as a rebuild checklist (OS, packages, services, users, ports, mounts)")
    .argument('[set]', 'set id, or "latest"', 'latest')
    .option('--target <name>', 'read the set from this target only')
    .option('--key <file>', 'private key for sets encrypted to public keys (or env DRC_PRIVATE_KEY_FILE)')
    .option('--full', 'also list every installed package')
    .action(
      commandAction<ShowSystemFlags>(async (context, flags, args) => {
        const { config, stateDir } = await context.loadConfig();
        const [{ readItemPlain }, { inventorySchema }, { formatChecklist }, { SYSTEM_ITEM }] = await Promise.all([
          import('../../restore/read-item.js'),
          import('../../inventory/schema.js'),
          import('../../inventory/checklist.js'),
          import('../../sets/meta-items.js'),
        ]);
        const content = await readItemPlain(config, stateDir, args[0] ?? 'latest', SYSTEM_ITEM, { emit: context.emit, ...(flags.key ? { keyFile: flags.key } : {}), ...(flags.target ? { target: flags.target } : {}) });
        let raw: unknown;
        try {
          raw = JSON.parse(content.data.toString('utf8'));
        } catch {
          throw new DrcError(`set ${content.setId}: its system inventory is not JSON`);
        }
        const parsed = inventorySchema.safeParse(raw);
        if (!parsed.success) throw new DrcError(`set ${content.setId}: its system inventory does not parse (${parsed.error.issues[0]?.message})`);
        if (context.json) {
          context.emit({ type: 'result', command: 'show-system', exitCode: EXIT.ok, summary: `inventory of ${parsed.data.host} from set ${content.setId}`, data: { setId: content.setId, inventory: parsed.data } });
        } else {
          process.stdout.write(formatChecklist(parsed.data, content.setId, { full: Boolean(flags.full) }) + '\n');
        }
        return EXIT.ok;
      }),
    );
}
