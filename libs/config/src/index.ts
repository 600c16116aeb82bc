export { ConfigError, loadConfig } from './load-config.util';
export { baseEnv, toBaseConfig, port, positiveInt, natsUrl, mongodbUrl, logLevel, type BaseConfig } from './env-fields';
