import { createContext, useContext } from 'react';
import type { WorkerClient } from './workerClient.ts';

/** The page's one training worker (null until it has started). */
export const ClientContext = createContext<WorkerClient | null>(null);

export function useClient(): WorkerClient | null {
  return useContext(ClientContext);
}
