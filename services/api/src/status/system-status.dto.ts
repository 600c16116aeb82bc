import { ApiProperty } from '@nestjs/swagger';

export class SystemStatusDto {
  @ApiProperty({ example: true, description: 'All services answered and are ready' })
  ready!: boolean;

  @ApiProperty({
    example: [{ service: 'fetcher', version: '0.1.0', ready: true, uptimeSeconds: 42, pid: 1234, hostname: 'fetcher-7d9f' }],
    description: 'One entry per service; a service that did not answer has ready=false and an error',
  })
  services!: Array<Record<string, unknown>>;
}
