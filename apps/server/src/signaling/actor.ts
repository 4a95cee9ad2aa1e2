/** Who performs an operation: the authenticated user and the socket the event came from. */
export interface Actor {
  readonly userId: string;
  readonly socketId: string;
}
