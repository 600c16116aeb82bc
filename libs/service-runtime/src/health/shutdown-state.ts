import { Injectable, type OnModuleDestroy } from '@nestjs/common';

/**
 * Flips to "shutting down" at the first shutdown hook, before consumers and connections close,
 * so /health/ready answers 503 and Kubernetes stops sending traffic while in-flight work finishes.
 */
@Injectable()
export class ShutdownState implements OnModuleDestroy {
  shuttingDown = false;

  onModuleDestroy(): void {
    this.shuttingDown = true;
  }
}
