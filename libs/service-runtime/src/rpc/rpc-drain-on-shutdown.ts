import type { DynamicModule, OnModuleDestroy } from '@nestjs/common';
import type { DrainingNatsServer } from './draining-nats.server';

/**
 * Starts draining the request/reply server at the first shutdown hook (when /health/ready turns 503
 * and the JetStream consumers start their grace period), not after the consumers have stopped: both
 * then finish within SHUTDOWN_GRACE_MS of SIGTERM. Nest closes the server itself later, waiting for this drain.
 */
export class RpcDrainOnShutdown implements OnModuleDestroy {
  constructor(private readonly server: DrainingNatsServer) {}

  onModuleDestroy(): void {
    void this.server.drain();
  }
}

/** The service's root module, plus the hook that drains `server` when the app shuts down. */
export function withRpcDrainOnShutdown({ module, server }: { module: DynamicModule; server: DrainingNatsServer }): DynamicModule {
  return { ...module, providers: [...(module.providers ?? []), { provide: RpcDrainOnShutdown, useValue: new RpcDrainOnShutdown(server) }] };
}
