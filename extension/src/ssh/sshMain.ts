/**
 * The SSH connection code in a bundle of its own (dist/ssh.js): ssh2 and its crypto are most of
 * the extension's weight, and activation should not load them. ClusterManager requires this file
 * on the first connect.
 */
export { SshConnection } from './connection';
