import { createRootRoute, createRoute, createRouter, lazyRouteComponent, Navigate, Outlet } from '@tanstack/react-router';
import type { ReactNode } from 'react';
import type { User } from './api/types.ts';
import { useSession } from './auth/session.tsx';
import { Loading } from './components/states.tsx';
import { Shell } from './components/Shell.tsx';
import { LoginPage } from './pages/LoginPage.tsx';
import { SignupPage } from './pages/SignupPage.tsx';
import { ProfilePage } from './pages/ProfilePage.tsx';
import { VideosPage } from './pages/VideosPage.tsx';
import { VideoPage } from './pages/VideoPage.tsx';
import { CoursesPage } from './pages/CoursesPage.tsx';
import { CoursePage } from './pages/CoursePage.tsx';
import { SubjectsPage } from './pages/SubjectsPage.tsx';
import { AdminUsersPage } from './pages/AdminUsersPage.tsx';
import { AdminProcessesPage } from './pages/AdminProcessesPage.tsx';

/** Shows the page only to signed-in users (of one of the roles, when given); others go to log in. */
function Guard({ roles, children }: { roles?: User['role'][]; children: ReactNode }) {
  const { status, user } = useSession();
  if (status === 'loading') return <Loading />;
  if (!user) return <Navigate to="/login" />;
  if (roles && !roles.includes(user.role)) return <Navigate to="/videos" />;
  return <>{children}</>;
}

function Home() {
  const { status, user } = useSession();
  if (status === 'loading') return <Loading />;
  return <Navigate to={user ? '/videos' : '/login'} />;
}

const root = createRootRoute({
  component: () => (
    <Shell>
      <Outlet />
    </Shell>
  ),
});
const page = (path: string, element: () => ReactNode) => createRoute({ getParentRoute: () => root, path, component: element });
const staff: User['role'][] = ['teacher', 'admin'];

// The chart pages (and uPlot) load on first visit, not with the app.
const CourseStatsPage = lazyRouteComponent(() => import('./pages/CourseStatsPage.tsx'), 'CourseStatsPage');
const MyProgressPage = lazyRouteComponent(() => import('./pages/MyProgressPage.tsx'), 'MyProgressPage');
// The projects pages load on first visit too, keeping the first load small.
const ProjectsPage = lazyRouteComponent(() => import('./pages/ProjectsPage.tsx'), 'ProjectsPage');
const ShowcasePage = lazyRouteComponent(() => import('./pages/ShowcasePage.tsx'), 'ShowcasePage');
const ProjectPage = lazyRouteComponent(() => import('./pages/ProjectPage.tsx'), 'ProjectPage');
const NewProjectPage = lazyRouteComponent(() => import('./pages/ProjectFormPage.tsx'), 'NewProjectPage');
const EditProjectPage = lazyRouteComponent(() => import('./pages/ProjectFormPage.tsx'), 'EditProjectPage');
const AdminClusterPage = lazyRouteComponent(() => import('./pages/AdminClusterPage.tsx'), 'AdminClusterPage');

const routes = [
  page('/', () => <Home />),
  page('/login', () => <LoginPage />),
  page('/signup', () => <SignupPage />),
  page('/profile', () => (
    <Guard>
      <ProfilePage />
    </Guard>
  )),
  page('/videos', () => (
    <Guard>
      <VideosPage />
    </Guard>
  )),
  page('/videos/$id', () => (
    <Guard>
      <VideoPage />
    </Guard>
  )),
  page('/courses', () => (
    <Guard>
      <CoursesPage />
    </Guard>
  )),
  page('/courses/$id', () => (
    <Guard>
      <CoursePage />
    </Guard>
  )),
  page('/courses/$id/stats', () => (
    <Guard roles={staff}>
      <CourseStatsPage />
    </Guard>
  )),
  page('/courses/$id/projects', () => (
    <Guard>
      <ShowcasePage />
    </Guard>
  )),
  page('/courses/$id/projects/new', () => (
    <Guard>
      <NewProjectPage />
    </Guard>
  )),
  page('/projects', () => (
    <Guard>
      <ProjectsPage />
    </Guard>
  )),
  page('/projects/$id', () => (
    <Guard>
      <ProjectPage />
    </Guard>
  )),
  page('/projects/$id/edit', () => (
    <Guard>
      <EditProjectPage />
    </Guard>
  )),
  page('/subjects', () => (
    <Guard roles={staff}>
      <SubjectsPage />
    </Guard>
  )),
  page('/progress', () => (
    <Guard>
      <MyProgressPage />
    </Guard>
  )),
  page('/admin/users', () => (
    <Guard roles={['admin']}>
      <AdminUsersPage />
    </Guard>
  )),
  page('/admin/processes', () => (
    <Guard roles={['admin']}>
      <AdminProcessesPage />
    </Guard>
  )),
  page('/admin/cluster', () => (
    <Guard roles={['admin']}>
      <AdminClusterPage />
    </Guard>
  )),
];

/** Every page of the app. */
export const router = createRouter({ routeTree: root.addChildren(routes), defaultPreload: false });
