import { OpenWCallApp } from '../ui/app';

export default function HomePage() {
  return <OpenWCallApp />;
}
