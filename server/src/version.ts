declare const SERVER_VERSION: string;

/** The package version, set by the bundler; 'dev' when run from source. */
export const VERSION = typeof SERVER_VERSION === 'string' ? SERVER_VERSION : 'dev';
