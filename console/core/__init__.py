"""Pure domain layer: no Qt, no sockets. Front ends (gui, cli, node) call `console.core.services`."""
