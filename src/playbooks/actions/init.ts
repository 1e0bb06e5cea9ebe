import { DrcError } from '../../errors.js';
import { initFrom } from '../../init/init-from.js';
import { writeConfig } from '../../init/write-config.js';
import type { InitAction } from '../schema.js';
import { throwIfStopped, type ActionContext, type ActionResult } from './types.js';

/** `action: init`: `drc init --from` as a step; the config goes where DRC_CONFIG names (else the conf store). */
export async function runInitAction(init: InitAction, context: ActionContext): Promise<ActionResult> {
  const given = (value: string | undefined) => (value?.trim() ? value.trim() : undefined);
  const result = await initFrom({
    location: init.from,
    host: given(init.host),
    endpoint: given(init.endpoint),
    region: given(init.region),
    accessKeyEnv: given(init['access-key-env']),
    secretKeyEnv: given(init['secret-key-env']),
    passphraseEnv: given(init['passphrase-env']),
    signingKey: given(init['trust-key']),
    allowUnsigned: init['allow-unsigned'],
    emit: context.emit,
  });
  throwIfStopped(context.signal);
  const written = await writeConfig(result.config, process.env.DRC_CONFIG || undefined, false);
  for (const note of result.notes) context.line(note);
  if (result.missingEnv.length) {
    throw new DrcError(`config written to ${written}, but it names env vars that are not set here: ${result.missingEnv.join(', ')}`, {
      hint: `export them (read -rs NAME && export NAME), then resume: the restore needs them`,
    });
  }
  return { detail: `config of host ${result.host} from set ${result.setId} written to ${written}` };
}
