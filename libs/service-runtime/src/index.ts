export { bootstrapService, type BootstrapOptions } from './bootstrap-service';
export { ServiceRuntimeModule, type ServiceRuntimeOptions } from './service-runtime.module';
export { MetricsService } from './metrics/metrics.service';
export { ShutdownState } from './health/shutdown-state';
export { SERVICE_NAME, PUBLIC_ROUTE } from './service-runtime.constants';
export { RpcDomainError, parseRpcInput } from './rpc/rpc-domain.error';
export { RpcDependencyFailureFilter } from './rpc/rpc-dependency-failure.filter';
export { dependencyUnavailableMessage, isDependencyOutage, someCause, unavailableText, type Dependency } from './dependencies/dependency-outage.util';
