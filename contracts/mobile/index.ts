// The mobile BFF's response shapes (zod), shared by the BFF, its tests and the scripted phone.
export * from './shapes.ts';
export * from './screens.ts';
export * from './sync.ts';
