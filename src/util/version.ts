// Versions: the Redis version whose behaviour we implement (reported wherever Redis reports its
// own), and Cinnabar's own.

export const REDIS_VERSION = '7.0.15';
export const CINNABAR_VERSION = '0.1.0';
