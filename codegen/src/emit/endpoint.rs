//! Endpoint resolver emitted from the `smithy.rules#endpointRuleSet` trait (in progress).
