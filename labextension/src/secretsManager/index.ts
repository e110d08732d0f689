/**
 * jupyter-secrets-manager support: the connector backed by this server's store, the plugin
 * that hands it to the manager, and the mark of an extension's secret in User secrets.
 */
export * from './connector';
export * from './extensionMark';
export * from './plugin';
