/**
 * wasi:sockets — all denied.
 *
 * Network access is an external effect the sandbox never grants directly; agents reach the
 * network through host capabilities (fetch tools) that the policy layer checks. Every socket
 * or lookup request fails with the WIT's `access-denied` and is reported through `onDenied`.
 * The resource classes exist only because the glue requires them at instantiation; no
 * instance of them is ever handed to a guest.
 */

import { GuestError, type Denials } from './guest-error.ts';

/**
 * Builds a resource class whose every method fails with `access-denied`. Built once per
 * process (class creation is slow, and createWasi runs per instance); since no instance is
 * ever handed to a guest, these methods are unreachable and report nothing.
 */
function deniedResource(name: string, methods: string[]) {
  const Resource = class {};
  Object.defineProperty(Resource, 'name', { value: name });
  for (const method of methods) {
    Object.defineProperty(Resource.prototype, method, {
      value() {
        throw new GuestError('access-denied');
      },
    });
  }
  return Resource;
}

const TCP_METHODS = [
  'startBind', 'finishBind', 'startConnect', 'finishConnect', 'startListen', 'finishListen', 'accept',
  'localAddress', 'remoteAddress', 'isListening', 'addressFamily', 'setListenBacklogSize',
  'keepAliveEnabled', 'setKeepAliveEnabled', 'keepAliveIdleTime', 'setKeepAliveIdleTime',
  'keepAliveInterval', 'setKeepAliveInterval', 'keepAliveCount', 'setKeepAliveCount', 'hopLimit',
  'setHopLimit', 'receiveBufferSize', 'setReceiveBufferSize', 'sendBufferSize', 'setSendBufferSize',
  'subscribe', 'shutdown',
];
const UDP_METHODS = [
  'startBind', 'finishBind', 'stream', 'localAddress', 'remoteAddress', 'addressFamily', 'unicastHopLimit',
  'setUnicastHopLimit', 'receiveBufferSize', 'setReceiveBufferSize', 'sendBufferSize', 'setSendBufferSize', 'subscribe',
];

const TcpSocket = deniedResource('TcpSocket', TCP_METHODS);
const UdpSocket = deniedResource('UdpSocket', UDP_METHODS);
const IncomingDatagramStream = deniedResource('IncomingDatagramStream', ['receive', 'subscribe']);
const OutgoingDatagramStream = deniedResource('OutgoingDatagramStream', ['checkSend', 'send', 'subscribe']);
const ResolveAddressStream = deniedResource('ResolveAddressStream', ['resolveNextAddress', 'subscribe']);
class Network {}

/** The wasi:sockets interface objects, every operation denied and reported. */
export function createSocketInterfaces(denials: Denials) {
  const denyCall = (iface: string, fn: string) => (): never => {
    throw denials.deny({ interface: iface, function: fn, reason: 'sockets are not available in the sandbox' }, 'access-denied');
  };
  return {
    network: { Network },
    // Infallible in the WIT; a network handle alone grants nothing.
    instanceNetwork: { instanceNetwork: (): Network => new Network() },
    tcp: { TcpSocket },
    tcpCreateSocket: { createTcpSocket: denyCall('wasi:sockets/tcp-create-socket', 'create-tcp-socket') },
    udp: { UdpSocket, IncomingDatagramStream, OutgoingDatagramStream },
    udpCreateSocket: { createUdpSocket: denyCall('wasi:sockets/udp-create-socket', 'create-udp-socket') },
    ipNameLookup: {
      resolveAddresses: denyCall('wasi:sockets/ip-name-lookup', 'resolve-addresses'),
      ResolveAddressStream,
    },
  };
}
