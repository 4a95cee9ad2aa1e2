import type { Metadata } from 'next';
import { OpenWCallApp } from '../../ui/app';

export const metadata: Metadata = { title: 'Admin' };

export default function AdminRoute() {
  return <OpenWCallApp page={{ kind: 'admin' }} />;
}
