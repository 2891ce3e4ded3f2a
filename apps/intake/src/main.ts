import 'reflect-metadata';
import { Module } from '@nestjs/common';
import { PlatformModule, runService } from '@lianban/platform';
import { IntakeModule } from './intake.module';

/** Intake as its own process: registration from every channel and the petitioner-facing surface. */
@Module({})
class IntakeService {}

void runService({
  name: 'intake',
  title: 'Lianban 联办 intake',
  module: (config) => ({ module: IntakeService, imports: [PlatformModule.forRoot(config), IntakeModule] }),
});
