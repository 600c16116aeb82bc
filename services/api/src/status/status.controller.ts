import { Controller, Get } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { SERVICES, statusRpcSubject, type ServiceStatus } from '@mailbus/contracts';
import { Roles } from '../auth/roles.decorator';
import { RpcClient } from '../rpc/rpc-client';
import { SystemStatusDto } from './system-status.dto';

@ApiTags('system')
@ApiBearerAuth()
@Roles('app')
@Controller('v1/status')
export class StatusController {
  constructor(private readonly rpc: RpcClient) {}

  @Get()
  @ApiOperation({ summary: 'Every service answers over NATS request/reply; one that does not is shown as not ready.' })
  @ApiOkResponse({ type: SystemStatusDto })
  async status(): Promise<SystemStatusDto> {
    const others = SERVICES.filter((service) => service !== 'api');
    const answers = await Promise.all(
      others.map((service) =>
        this.rpc.request<ServiceStatus>({ subject: statusRpcSubject(service) }).catch((error: Error) => ({ service, ready: false, error: error.message })),
      ),
    );
    return { ready: answers.every((answer) => answer.ready), services: answers };
  }
}
