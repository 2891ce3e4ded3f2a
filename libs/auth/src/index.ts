export * from './principal';
export * from './jwks';
export * from './token.service';
export * from './personal-data';
export * from './auth.guard';
export * from './petitioner-keys';
export * from './policy';
