// The peer: @neo4j/graphql on Apollo Server over the Neo4j Taiqu uses, with typeDefs for
// Taiqu's labels and relationships. Validity intervals are relationship properties; the
// queries in bench/peer.py filter on them as Taiqu does for an as-of date.
//
//   node server.mjs <port>       (NEO4J_URI, default bolt://127.0.0.1:7687)
import { ApolloServer } from "@apollo/server";
import { startStandaloneServer } from "@apollo/server/standalone";
import { Neo4jGraphQL } from "@neo4j/graphql";
import neo4j from "neo4j-driver";

const typeDefs = /* GraphQL */ `
  type Validity @relationshipProperties {
    valid_from: Date!
    valid_to: Date!
  }
  type Substation @node {
    code: String!
    name: String
    feeders: [Feeder!]! @relationship(type: "FEEDS", direction: OUT, properties: "Validity")
  }
  type Feeder @node {
    code: String!
    name: String
    substation: [Substation!]! @relationship(type: "FEEDS", direction: IN, properties: "Validity")
    transformers: [Transformer!]!
      @relationship(type: "SUPPLIES", direction: OUT, properties: "Validity")
  }
  type Transformer @node {
    code: String!
    name: String
    capacity_kva: Float
    feeder: [Feeder!]! @relationship(type: "SUPPLIES", direction: IN, properties: "Validity")
    meters: [Meter!]! @relationship(type: "HAS_METER", direction: OUT, properties: "Validity")
  }
  type Meter @node {
    code: String!
    role: String
    multiplier: Float
    area: [Transformer!]! @relationship(type: "HAS_METER", direction: IN, properties: "Validity")
    customer: [Customer!]! @relationship(type: "USES_METER", direction: IN, properties: "Validity")
  }
  type Customer @node {
    code: String!
    name: String
    meters: [Meter!]! @relationship(type: "USES_METER", direction: OUT, properties: "Validity")
  }
`;

const port = Number(process.argv[2] || 4000);
const driver = neo4j.driver(process.env.NEO4J_URI || "bolt://127.0.0.1:7687");
const schema = await new Neo4jGraphQL({ typeDefs, driver }).getSchema();
const server = new ApolloServer({ schema });
const { url } = await startStandaloneServer(server, { listen: { port, host: "127.0.0.1" } });
console.log(`peer ready at ${url}`);
