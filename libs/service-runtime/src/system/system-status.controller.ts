import { Controller, Inject } from '@nestjs/common';
import { MessagePattern } from '@nestjs/microservices';
import { hostname } from 'node:os';
import { statusRpcSubject, type ServiceName, type ServiceStatus } from '@mailbus/contracts';
import { ShutdownState } from '../health/shutdown-state';
import { SERVICE_NAME } from '../service-runtime.constants';

const started = Date.now();

/** Answers "who are you and are you up" over NATS request/reply, so the api can report on every service. */
export function systemStatusControllerFor(service: ServiceName): new (...args: never[]) => unknown {
  @Controller()
  class SystemStatusController {
    constructor(
      @Inject(SERVICE_NAME) private readonly name: ServiceName,
      private readonly shutdown: ShutdownState,
    ) {}

    @MessagePattern(statusRpcSubject(service))
    status(): ServiceStatus {
      return {
        service: this.name,
        version: process.env.MAILBUS_VERSION ?? '0.1.0',
        ready: !this.shutdown.shuttingDown,
        uptimeSeconds: Math.round((Date.now() - started) / 1000),
        pid: process.pid,
        hostname: hostname(),
      };
    }
  }
  return SystemStatusController;
}
