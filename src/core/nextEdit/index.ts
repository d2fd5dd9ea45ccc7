export * from './budget';
export * from './history';
export * from './lineDiff';
export * from './prompt';
