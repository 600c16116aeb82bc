/** Injection token of the connected `MongoClient`. */
export const MONGO_CLIENT = Symbol('MONGO_CLIENT');
/** Injection token of the service's `Db` (the `dbName` of the module options). */
export const MONGO_DB = Symbol('MONGO_DB');
/** Injection token of the resolved `MongoModuleOptions`; internal. */
export const MONGO_MODULE_OPTIONS = Symbol('MONGO_MODULE_OPTIONS');
