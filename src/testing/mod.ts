/**
 * Test helpers for code that uses vc: an in-process fake S3 server.
 *
 * @module
 */
export {};
