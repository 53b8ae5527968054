"""The domain-free kernel: storage, errors, fields, HTTP plumbing shared by every domain."""
