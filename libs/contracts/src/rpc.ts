/**
 * Request/reply subjects (core NATS through @nestjs/microservices, at-most-once: queries only,
 * never anything that must not be lost). `mailbus.rpc.<service>.<operation>`.
 */
export const SERVICES = ['api', 'account-registry', 'fetcher', 'message-router', 'smtp-sender', 'spam-feedback'] as const;
export type ServiceName = (typeof SERVICES)[number];

export const rpcSubject = ({ service, operation }: { service: ServiceName; operation: string }): string => `mailbus.rpc.${service}.${operation}`;

/** Every service answers this with its ServiceStatus. */
export const statusRpcSubject = (service: ServiceName): string => rpcSubject({ service, operation: 'status' });

// A type alias, not an interface, so that it stays assignable to Record<string, unknown> (JSON bodies).
export type ServiceStatus = {
  service: ServiceName;
  version: string;
  ready: boolean;
  uptimeSeconds: number;
  pid: number;
  hostname: string;
};
