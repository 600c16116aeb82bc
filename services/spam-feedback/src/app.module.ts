import { Module, type DynamicModule } from '@nestjs/common';
import { HostConnectionSlots } from '@mailbus/nats-transport';
import { ServiceRuntimeModule } from '@mailbus/service-runtime';
import type { SpamFeedbackConfig } from './config/spam-feedback.config';
import { WRITEBACK_SECRET_BOX, WRITEBACK_SETTINGS } from './config/writeback.tokens';
import { DeleteWritebackService } from './writeback/delete-writeback.service';
import { MailServerSessions } from './writeback/mail-server-sessions';
import { SpamMarkOrder } from './writeback/spam-mark-order';
import { SpamWritebackService } from './writeback/spam-writeback.service';
import { WritebackConsumers } from './writeback/writeback.consumers';
import { WritebackMetrics } from './writeback/writeback.metrics';

@Module({})
export class AppModule {
  static forRoot(config: SpamFeedbackConfig): DynamicModule {
    return {
      module: AppModule,
      imports: [ServiceRuntimeModule.forRoot({ service: 'spam-feedback', config })],
      controllers: [WritebackConsumers],
      providers: [
        { provide: WRITEBACK_SECRET_BOX, useValue: config.secretBox },
        { provide: WRITEBACK_SETTINGS, useValue: config.writeback },
        HostConnectionSlots,
        WritebackMetrics,
        MailServerSessions,
        SpamMarkOrder,
        SpamWritebackService,
        DeleteWritebackService,
      ],
    };
  }
}
