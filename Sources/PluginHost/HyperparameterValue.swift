import JSON

/// A hyperparameter value as the host handles it (from the command line, a manifest or a schema):
/// the same type plugins declare their defaults in (`JSONScalar`).
public typealias HyperparameterValue = JSONScalar
