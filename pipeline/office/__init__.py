"""External programs, one module each: LibreOffice (a worker driven through its UNO bridge),
Ghostscript, and the probes that find them, with the version found and the install advice.
Nothing here knows a convention: documents, parties, roles and committees are not named."""
