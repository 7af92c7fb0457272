"""The PAdES seal: keys, certificates, timestamps and checks; a leaf that knows no feature."""
