// The public surface of @connectors/framework/testing: the conformance kit, a memory sink, fault injection.
export {};
