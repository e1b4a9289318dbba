import dns2 from 'dns2';

const { Packet } = dns2;

/** One name in the test zone: an alias, or addresses; `servfail`/`drop` make the server misbehave. */
export interface ZoneEntry {
  cname?: string;
  a?: string[];
  aaaa?: string[];
  servfail?: boolean;
  drop?: boolean;
}

export interface TestDnsServer {
  /** "127.0.0.1:port", for ProbeOptions.dnsServers. */
  address: string;
  /** Every question asked so far, in order: the name and the type ("A", "AAAA", "CNAME", …). */
  queries: { name: string; type: string }[];
  close(): Promise<void>;
}

/**
 * A small authoritative-and-recursive DNS server for tests: answers follow CNAME chains the way a
 * recursive resolver does (the chain, then the records of the asked type); unknown names are NXDOMAIN.
 */
export async function startDnsServer(zone: Record<string, ZoneEntry>): Promise<TestDnsServer> {
  const lookup = (name: string) => zone[name.toLowerCase().replace(/\.$/, '')];
  const queries: TestDnsServer['queries'] = [];
  const typeName = (type: number) => Object.entries(Packet.TYPE).find(([, value]) => value === type)?.[0] ?? String(type);
  const server = dns2.createServer({
    udp: true,
    handle: (request, send) => {
      const response = Packet.createResponseFromRequest(request);
      // dns2's types want Resource instances; its encoder takes plain records (as its README shows).
      const answer = (r: { name: string; type: number; domain?: string; address?: string }) =>
        response.answers.push({ class: Packet.CLASS.IN, ttl: 30, ...r } as unknown as (typeof response.answers)[number]);
      const [question] = request.questions;
      queries.push({ name: question.name, type: typeName(question.type) });
      let name = question.name;
      let entry = lookup(name);
      if (entry?.drop) return;
      if (!entry || entry.servfail) {
        response.header.rcode = entry ? Packet.RCODE.SERVFAIL : Packet.RCODE.NXDOMAIN;
        send(response);
        return;
      }
      for (let hops = 0; entry?.cname && hops < 8; hops++) {
        answer({ name, type: Packet.TYPE.CNAME, domain: entry.cname });
        if (question.type === Packet.TYPE.CNAME) break;
        name = entry.cname;
        entry = lookup(name);
      }
      if (question.type === Packet.TYPE.A) for (const address of entry?.a ?? []) answer({ name, type: Packet.TYPE.A, address });
      if (question.type === Packet.TYPE.AAAA) for (const address of entry?.aaaa ?? []) answer({ name, type: Packet.TYPE.AAAA, address });
      send(response);
    },
  });
  const addresses = await server.listen({ udp: { port: 0, address: '127.0.0.1' } });
  return { address: `127.0.0.1:${addresses.udp?.port}`, queries, close: () => server.close() };
}
