import { DynamicModule, Module } from '@nestjs/common';
import { AgencyModule } from '@lianban/agency';
import { CoordinatorModule } from '@lianban/coordinator';
import { HistoryModule } from '@lianban/history';
import { IntakeModule } from '@lianban/intake';
import { PlatformModule, type LianbanConfig, type PlatformPorts } from '@lianban/platform';
import { DemoLoader } from './demo/demo-loader';
import { GaozhuWaterDemo } from './demo/gaozhu-water.demo';
import { HousingDemo } from './demo/housing.demo';
import { WageArrearsDemo } from './demo/wage-arrears.demo';
import { DevTokensController } from './dev/dev-tokens';

/** Every app in one process on the embedded defaults: what `npm start` runs. */
@Module({})
export class StandaloneModule {
  static forRoot(config: LianbanConfig, ports: PlatformPorts = {}): DynamicModule {
    const devAuth = config.embedded && config.authMode === 'dev';
    return {
      module: StandaloneModule,
      imports: [PlatformModule.forRoot(config, ports), IntakeModule, CoordinatorModule, AgencyModule, HistoryModule],
      controllers: devAuth ? [DevTokensController] : [],
      providers: [WageArrearsDemo, HousingDemo, GaozhuWaterDemo, DemoLoader],
    };
  }
}
