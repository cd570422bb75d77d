import { Docker } from './docker.js'
import { privateEnv, removeDockerConfig } from './docker-config.js'
import { removeBuilder } from './builder.js'

/** Name of the saved state the post step reads. */
export const CLEANUP_STATE = 'cleanup'

/** What a run leaves behind until the post step (or the CLI's finally) removes it. */
export interface CleanupState {
  dockerConfig?: string
  registry?: string
  builder?: string
}

/** Logs out, removes the builder this run created and the private docker config; safe to call twice. */
export async function cleanUp(state: CleanupState, env: NodeJS.ProcessEnv): Promise<string[]> {
  const done: string[] = []
  const docker = new Docker(state.dockerConfig ? privateEnv(env, state.dockerConfig) : env)
  if (state.builder) {
    await removeBuilder(docker, state.builder).catch(() => undefined)
    done.push(`removed builder ${state.builder}`)
  }
  if (state.registry) {
    await docker.run(['logout', state.registry]).catch(() => undefined)
    done.push(`logged out of ${state.registry}`)
  }
  if (state.dockerConfig) {
    removeDockerConfig(state.dockerConfig)
    done.push('removed the temporary docker config')
  }
  return done
}
