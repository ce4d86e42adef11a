/**
 * The servers of NATS_URL: one URL, or a comma list of the servers of one cluster. nats.js takes a list (its
 * `servers` option) but reads a string as one server, so the list is split here.
 */
export const natsServers = (text: string): string[] =>
  text
    .split(',')
    .map((server) => server.trim())
    .filter((server) => server !== '');
