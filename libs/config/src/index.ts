export { ConfigError, loadConfig } from './load-config.util';
export { baseEnv, toBaseConfig, port, positiveInt, natsUrl, mongodbUrl, logLevel, type BaseConfig } from './env-fields';
export { secretKeyEnv, secretBoxFromEnv } from './secret-key-env';
