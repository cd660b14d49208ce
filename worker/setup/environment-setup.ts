// An environment's stored setup settings, parsed, with its secrets opened for this attempt only.
import { parseNodeVersion, parseStoredCacheKeyFiles, parseStoredEnvVars, parseStoredNetwork, scriptOrNull } from "@/lib/environments/setup-config";
import { openSecret, parseStoredSecrets, secretsKey } from "@/lib/secrets/secret-box";
import type { Secret } from "@/lib/redact";
import type { SetupConfig } from "@/lib/environments/setup-config";

export type EnvironmentSetup = { config: SetupConfig; secrets: Secret[] };

type StoredSetup = {
  nodeVersion: string;
  setupScript: string | null;
  maintenanceScript: string | null;
  envVars: unknown;
  secrets: unknown;
  network: unknown;
  cacheKeyFiles: unknown;
};

export function environmentSetup(environment: StoredSetup, keyText: string | undefined): EnvironmentSetup {
  const sealed = parseStoredSecrets(environment.secrets);
  const names = Object.keys(sealed);
  const key = names.length > 0 ? secretsKey(keyText) : null;
  return {
    config: {
      nodeVersion: parseNodeVersion(environment.nodeVersion),
      setupScript: scriptOrNull(environment.setupScript),
      maintenanceScript: scriptOrNull(environment.maintenanceScript),
      env: parseStoredEnvVars(environment.envVars),
      network: parseStoredNetwork(environment.network),
      cacheKeyFiles: parseStoredCacheKeyFiles(environment.cacheKeyFiles),
    },
    secrets: key ? names.map((name) => ({ name, value: openSecret(key, name, sealed[name]!) })) : [],
  };
}
