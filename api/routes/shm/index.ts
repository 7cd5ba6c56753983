import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { AppDeps } from '../../app';
import { shmApplicantRoutes } from './applicants';
import { shmArcoRoutes } from './arco';
import { shmOperationsRoutes } from './operations';
import { shmProfileRoutes } from './profile';
import { shmReviewTaskRoutes } from './review-tasks';
import { shmTalentRoutes } from './talent';

/** Every SHM route (contracts §8): applicants and cédula, review queues, talent bank and job board, ARCO, operations. */
export const shmRoutes: FastifyPluginAsyncZod<{ deps: AppDeps }> = async (app, { deps }) => {
  await app.register(shmApplicantRoutes, { deps });
  await app.register(shmProfileRoutes, { deps });
  await app.register(shmReviewTaskRoutes, { deps });
  await app.register(shmTalentRoutes, { deps });
  await app.register(shmArcoRoutes, { deps });
  await app.register(shmOperationsRoutes, { deps });
};
