import { Controller, Get, HttpCode, HttpStatus, Res, SetMetadata } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { Response } from 'express';
import { JetStreamHealthIndicator } from '@mailbus/nats-transport';
import { MongoHealthIndicator } from '@mailbus/mongo-dal';
import { ShutdownState } from './shutdown-state';
import { PUBLIC_ROUTE } from '../service-runtime.constants';

interface CheckResult {
  ok: boolean;
  details?: string;
}

const withTimeout = (check: Promise<CheckResult>, ms: number): Promise<CheckResult> =>
  Promise.race([check.catch((error: Error) => ({ ok: false, details: error.message })), new Promise<CheckResult>((resolve) => setTimeout(() => resolve({ ok: false, details: `no answer within ${ms} ms` }), ms).unref())]);

@SetMetadata(PUBLIC_ROUTE, true)
@ApiExcludeController()
@Controller('health')
export class HealthController {
  constructor(
    private readonly nats: JetStreamHealthIndicator,
    private readonly mongo: MongoHealthIndicator,
    private readonly shutdown: ShutdownState,
  ) {}

  /** The process is alive and its event loop answers; dependencies do not matter here. */
  @Get('live')
  @HttpCode(HttpStatus.OK)
  live(): { status: 'ok' } {
    return { status: 'ok' };
  }

  /**
   * Ready to take work: NATS and MongoDB answer and the service is not shutting down. The pid lets a
   * launcher tell its own process from another that holds the port it was given.
   */
  @Get('ready')
  async ready(@Res({ passthrough: true }) response: Response): Promise<{ status: 'ok' | 'unavailable'; pid: number; checks: Record<string, CheckResult> }> {
    const [nats, mongo] = await Promise.all([withTimeout(this.nats.check(), 2000), withTimeout(this.mongo.check(), 2000)]);
    const checks: Record<string, CheckResult> = { nats, mongodb: mongo, lifecycle: this.shutdown.shuttingDown ? { ok: false, details: 'shutting down' } : { ok: true } };
    const ok = Object.values(checks).every((check) => check.ok);
    response.status(ok ? HttpStatus.OK : HttpStatus.SERVICE_UNAVAILABLE);
    return { status: ok ? 'ok' : 'unavailable', pid: process.pid, checks };
  }
}
